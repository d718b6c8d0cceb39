// aws-cdk-lib's built-in CloudFormation validation (a WASM engine) costs about 5 s per test file's first synth and
// 2 s per synth after it, across some twenty files that synthesize. Test synths turn it off;
// test/governance/builtin-validation.test.ts runs it over every stage and asserts a clean report, and `cdk synth`
// in .ci/run runs with the CLI's defaults.
process.env.CDK_VALIDATION = 'false';
