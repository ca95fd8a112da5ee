// Work in progress: replaced by the closure-based interpreter.
import type { Hook } from 'tapable'
export type CodeGeneration = 'auto' | 'off'
export function makePortable(_hook: Hook<any, any>, _mode: CodeGeneration): void {}
