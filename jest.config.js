/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // fauxqs ships ESM only; compile it to CommonJS so the embedded emulator runs inside Jest.
    '^.+/node_modules/fauxqs/.+\\.js$': [
      'ts-jest',
      {
        tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!fauxqs/)'],
  moduleNameMapper: { '^fauxqs$': '<rootDir>/node_modules/fauxqs/dist/app.js' },
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.js',
  setupFiles: ['<rootDir>/test/support/no-builtin-validation.js'],
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.js'],
  testTimeout: 60000,
};
