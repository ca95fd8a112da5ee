/**
 * This instance's members (WebSocket connections, SSE streams) by room and by user, and the delivery of one
 * already-serialised frame to each of them. What other instances hold is reached through the bus.
 */

/** What the hub delivers to. */
export interface Member {
  readonly rooms: Set<string>
  readonly userId: string | undefined
  /** Sends a serialised frame; a member that cannot take it drops itself. */
  sendText(text: string): void
}

export class LocalHub {
  readonly #members = new Set<Member>()
  readonly #rooms = new Map<string, Set<Member>>()
  readonly #users = new Map<string, Set<Member>>()

  get size(): number {
    return this.#members.size
  }

  members(): IterableIterator<Member> {
    return this.#members.values()
  }

  add(member: Member): void {
    this.#members.add(member)
  }

  /** Files a member under its user id (once it is known). */
  identify(member: Member): void {
    if (member.userId !== undefined) addTo(this.#users, member.userId, member)
  }

  remove(member: Member): void {
    this.#members.delete(member)
    for (const room of member.rooms) removeFrom(this.#rooms, room, member)
    member.rooms.clear()
    if (member.userId !== undefined) removeFrom(this.#users, member.userId, member)
  }

  join(member: Member, room: string): void {
    member.rooms.add(room)
    addTo(this.#rooms, room, member)
  }

  leave(member: Member, room: string): void {
    member.rooms.delete(room)
    removeFrom(this.#rooms, room, member)
  }

  /** Members in a room on this instance. */
  roomSize(room: string): number {
    return this.#rooms.get(room)?.size ?? 0
  }

  deliverRoom(room: string, text: string): number {
    return deliver(this.#rooms.get(room), text)
  }

  deliverUser(userId: string, text: string): number {
    return deliver(this.#users.get(userId), text)
  }

  deliverAll(text: string): number {
    return deliver(this.#members, text)
  }
}

function addTo(index: Map<string, Set<Member>>, key: string, member: Member): void {
  let members = index.get(key)
  if (members === undefined) {
    members = new Set()
    index.set(key, members)
  }
  members.add(member)
}

function removeFrom(index: Map<string, Set<Member>>, key: string, member: Member): void {
  const members = index.get(key)
  if (members === undefined) return
  members.delete(member)
  if (members.size === 0) index.delete(key)
}

function deliver(members: Set<Member> | undefined, text: string): number {
  if (members === undefined) return 0
  // A copy: a member dropped as a slow consumer leaves the set while it is being walked.
  const targets = [...members]
  for (const member of targets) member.sendText(text)
  return targets.length
}
