import css from '@eslint/css';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The dashboard page's program and style: bundled into the page at build time (scripts/build-dashboard-assets.mjs). */
const BROWSER = 'libs/streams/src/dashboard/browser';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'libs/*/dist/',
      'node_modules/',
      'bench/.tmp/',
      '.nats-server/',
      'coverage/',
      'libs/streams/src/dashboard/page-assets.generated.ts',
    ],
  },
  {
    files: ['**/*.{js,mjs,cjs,ts}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // What the server says depends on nothing the app declares, nor on any other part of the library.
    files: ['libs/streams/src/server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*'], message: 'server/ imports only from server/' }] }] },
  },
  {
    // Runs in the browser: no Node globals (a `process` or `require` here would fail only there).
    files: [`${BROWSER}/**/*.ts`],
    ignores: [`${BROWSER}/**/*.spec.ts`],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.css'],
    language: 'css/css',
    plugins: { css },
    extends: [css.configs.recommended],
    // The colours are custom properties of :root in page.css, which the other files use.
    rules: { 'css/no-invalid-properties': ['error', { allowUnknownVariables: true }] },
  },
);
