/** Transports for the shared suite that go through a real server on 127.0.0.1 (node:http and frameworks). */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Mounted } from './suite.js'

/** Listens on an ephemeral loopback port and returns the suite's view of the server. */
export async function listening(server: Server): Promise<Mounted> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    request: (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
