// Import boundaries (STYLE.md, "Boundaries are kept by tooling"):
//   shared   -> nothing of node:, electron or the DOM-side folders
//   renderer -> shared only
//   preload  -> shared and electron only
//   main     -> shared (never renderer or preload)
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const nodeBuiltins = ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process', 'net', 'http', 'https', 'url', 'util', 'events', 'stream']

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='parseFloat']", message: 'Money is never a float: use src/shared/money.ts.' }
      ]
    }
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'src/shared is pure TypeScript: no Node built-ins.' },
          { group: ['electron', 'better-sqlite3', 'node-hid', 'ethers'], message: 'src/shared imports no runtime-specific packages.' },
          { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared imports nothing outside shared.' }
        ]
      }]
    }
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [...nodeBuiltins, 'electron', 'better-sqlite3', 'node-hid', 'ethers'], message: 'The renderer runs sandboxed: it talks to main through the api only.' },
          { group: ['**/main/**', '**/preload/**'], message: 'The renderer imports shared only.' }
        ]
      }]
    }
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [...nodeBuiltins, 'better-sqlite3', 'node-hid', 'ethers'], message: 'A sandboxed preload can only reach electron and shared.' },
          { group: ['**/main/**', '**/renderer/**'], message: 'The preload imports shared only.' }
        ]
      }]
    }
  },
  {
    files: ['src/main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/renderer/**', '**/preload/**'], message: 'Main imports shared, never renderer or preload code.' }]
      }]
    }
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } }
  }
)
