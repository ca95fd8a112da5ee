import type { ServerComponentDefinition } from '../../types.js'
import { assertServerComponent, optionError, type ComponentHoc } from './shared.js'

/**
 * Combines HOCs right to left, like function composition: `compose(a, b)(component)` is
 * `a(b(component))`, so the first HOC listed is the outermost. For example
 * `compose(withErrorBoundary({ fallback }), withGuard({ check }))` renders the fallback when the guard denies,
 * while `compose(withGuard({ check }), withErrorBoundary({ fallback }))` lets the guard's FORBIDDEN through.
 * `compose()` with no HOC returns the component unchanged.
 */
export function compose(
  ...hocs: ComponentHoc[]
): <P>(component: ServerComponentDefinition<P>) => ServerComponentDefinition<P> {
  hocs.forEach((hoc, index) => {
    if (typeof hoc !== 'function') {
      throw optionError(
        'compose',
        `argument ${index} is not a HOC; use the one-argument form, e.g. withGuard({ check }).`,
      )
    }
  })
  return <P>(component: ServerComponentDefinition<P>): ServerComponentDefinition<P> => {
    assertServerComponent(component, 'compose()')
    let current: ServerComponentDefinition<P> = component
    for (let index = hocs.length - 1; index >= 0; index--) {
      current = hocs[index]!(current)
      assertServerComponent(current, `compose(): the HOC at argument ${index}`)
    }
    return current
  }
}
