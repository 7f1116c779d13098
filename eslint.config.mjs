// Lint rules checked by `npm test` (`npm run lint`); formatting is Prettier's (`.prettierrc.json`), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      // A leading underscore marks a parameter kept for its position (a callback's, an interface's).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name='only']",
          message: 'A focused test silences the rest of the suite.',
        },
        {
          selector: "CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name='skip']",
          message: 'A skipped test cannot fail: delete it or make it pass.',
        },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // GS1 element strings are separated by GS (0x1d) and hostile input is screened for NUL and other controls.
      'no-control-regex': 'off',
    },
  },
  {
    // Specs, benches, the test harness and the demo read untyped JSON answers of the API; the code they test may not.
    files: ['**/*.spec.ts', 'test/**', 'bench/**', 'scripts/demo.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs', '*.config.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
    // CommonJS has no other import (Jest loads its test sequencer from such a file).
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
