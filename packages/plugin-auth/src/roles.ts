/** The role hierarchy and role permissions, resolved once at start-up into per-role closures. */

// Maps, not objects: role names come from tokens, and `constructor` or `__proto__` must stay plain names.
type RoleMap = ReadonlyMap<string, readonly string[]>

function toMap(record: Readonly<Record<string, readonly string[]>>): RoleMap {
  return new Map(Object.entries(record))
}

/** Every role reachable from `role` through `hierarchy` (the role included); cycles are harmless. */
function closure(role: string, hierarchy: RoleMap): string[] {
  const seen = new Set<string>([role])
  const pending = [role]
  while (pending.length > 0) {
    for (const inherited of hierarchy.get(pending.pop()!) ?? []) {
      if (!seen.has(inherited)) {
        seen.add(inherited)
        pending.push(inherited)
      }
    }
  }
  return [...seen]
}

export class RoleModel {
  readonly #closures = new Map<string, readonly string[]>()
  readonly #hierarchy: RoleMap
  readonly #rolePermissions: RoleMap

  constructor(
    hierarchy: Readonly<Record<string, readonly string[]>>,
    rolePermissions: Readonly<Record<string, readonly string[]>>,
  ) {
    this.#hierarchy = toMap(hierarchy)
    this.#rolePermissions = toMap(rolePermissions)
    for (const role of this.#hierarchy.keys()) this.#closures.set(role, closure(role, this.#hierarchy))
  }

  /** The granted roles and every role they inherit, without duplicates. */
  effectiveRoles(granted: readonly string[]): string[] {
    const roles = new Set<string>()
    for (const role of granted) {
      for (const inherited of this.#closures.get(role) ?? closure(role, this.#hierarchy)) roles.add(inherited)
    }
    return [...roles]
  }

  /** The granted permissions plus those of every (effective) role. */
  effectivePermissions(granted: readonly string[], effectiveRoles: readonly string[]): string[] {
    const permissions = new Set(granted)
    for (const role of effectiveRoles)
      for (const permission of this.#rolePermissions.get(role) ?? []) permissions.add(permission)
    return [...permissions]
  }
}

/**
 * Whether `granted` covers `required`: the same permission, `*`, or a `prefix:*` wildcard covering
 * everything below the prefix (`admin:*` covers `admin:read` and `admin:users:write`).
 */
export function permits(granted: readonly string[], required: string): boolean {
  for (const permission of granted) {
    if (permission === required || permission === '*') return true
    if (permission.endsWith(':*') && required.startsWith(permission.slice(0, -1))) return true
  }
  return false
}
