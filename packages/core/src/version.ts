/** The version of this package, which a plugin's `core` range is checked against (a test keeps it equal to package.json's). */
export const VERSION = '0.1.0'
