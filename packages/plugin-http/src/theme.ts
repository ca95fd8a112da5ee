/** The theme served when none is configured: a neutral light palette with type, spacing and breakpoints. */
export const DEFAULT_THEME: Readonly<Record<string, unknown>> = Object.freeze({
  name: 'default',
  version: '1.0.0',
  mode: 'light',
  colors: {
    primary: {
      50: '#eff6ff',
      100: '#dbeafe',
      300: '#93c5fd',
      500: '#3b82f6',
      700: '#1d4ed8',
      900: '#1e3a8a',
    },
    secondary: {
      50: '#f8fafc',
      100: '#f1f5f9',
      300: '#cbd5e1',
      500: '#64748b',
      700: '#334155',
      900: '#0f172a',
    },
    background: { default: '#ffffff', paper: '#f8fafc', elevated: '#ffffff' },
    text: { primary: '#0f172a', secondary: '#64748b', disabled: '#cbd5e1' },
    border: { default: '#e2e8f0', light: '#f1f5f9', focus: '#2563eb' },
    status: { success: '#10b981', warning: '#f59e0b', error: '#ef4444', info: '#3b82f6' },
  },
  typography: {
    fontFamily: { sans: ['Inter', 'system-ui', 'sans-serif'], mono: ['ui-monospace', 'Menlo', 'monospace'] },
    fontSize: { xs: '0.75rem', sm: '0.875rem', base: '1rem', lg: '1.125rem', xl: '1.25rem', '2xl': '1.5rem' },
    fontWeight: { normal: 400, medium: 500, semibold: 600, bold: 700 },
    lineHeight: { tight: 1.25, normal: 1.5, relaxed: 1.75 },
  },
  spacing: { xs: '0.25rem', sm: '0.5rem', md: '1rem', lg: '1.5rem', xl: '2rem', '2xl': '3rem' },
  breakpoints: { sm: '640px', md: '768px', lg: '1024px', xl: '1280px', '2xl': '1536px' },
})
