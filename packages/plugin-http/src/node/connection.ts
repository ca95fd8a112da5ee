/**
 * What the requests of one keep-alive connection share, read once per connection rather than once per request:
 * its abort signal, the client's address, and the body read in progress (told when the connection closes).
 */
import { setMaxListeners } from 'node:events'
import type { Socket } from 'node:net'
import { coreError } from '@ixp/core'

export interface Connection {
  /**
   * Aborted when the connection closes. An HTTP/1.1 client that goes away closes its connection, and a
   * connection's requests are answered in order, so one signal serves every request of a keep-alive connection
   * (an AbortSignal costs microseconds to create in Node, which one per request would spend on every request).
   */
  readonly signal: AbortSignal
  /** The client's address. */
  readonly address: string | undefined
  /**
   * Called if the connection closes while a request body is being read. A connection's bodies arrive one after
   * another, so one slot serves them all, and no request needs a `close` listener of its own.
   */
  onClose: (() => void) | undefined
}

const connections = new WeakMap<Socket, Connection>()

export function connectionOf(socket: Socket): Connection {
  let connection = connections.get(socket)
  if (connection !== undefined) return connection
  const controller = new AbortController()
  // Pipelined requests of one connection may each listen at once; that is not a leak.
  setMaxListeners(1000, controller.signal)
  const created: Connection = { signal: controller.signal, address: socket.remoteAddress, onClose: undefined }
  const closed = () => {
    controller.abort(coreError('ABORTED'))
    const pending = created.onClose
    created.onClose = undefined
    pending?.()
  }
  if (socket.destroyed) closed()
  else socket.once('close', closed)
  connections.set(socket, created)
  return created
}
