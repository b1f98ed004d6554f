import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The core keeps no mutable module state: a cache that pays is a per-cycle object passed explicitly
    // (shared/STYLE.md, habit 12). Module-level memos leak between cycles and tests.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[':matches(Program, ExportNamedDeclaration) > VariableDeclaration[kind="let"]'].map((selector) => ({
          selector,
          message: 'No module-level `let` in src/core: pass state explicitly.',
        })),
        ...['Map', 'Set', 'WeakMap', 'WeakSet'].map((name) => ({
          selector: `:matches(Program, ExportNamedDeclaration) > VariableDeclaration > VariableDeclarator > NewExpression.init[callee.name="${name}"]`,
          message: `No module-level mutable ${name} in src/core: make it per cycle and pass it explicitly.`,
        })),
      ],
    },
  },
);
