import { parseBenchOptions, SECTIONS } from '../../bench/options';

describe('bench options', () => {
  test('default to 20,000 messages of 512 bytes, 5 repetitions, every section, the local broker', () => {
    expect(parseBenchOptions([])).toEqual({
      jsonFile: undefined,
      handlerTimesFile: undefined,
      overrides: {},
      messages: 20_000,
      size: 512,
      repetitions: 5,
      smoke: false,
      amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
      managementUrl: 'http://guest:guest@127.0.0.1:15672',
      only: SECTIONS,
    });
  });

  test('read --json, --messages, --size, --repetitions and --only', () => {
    const options = parseBenchOptions([
      '--json',
      'out.json',
      '--messages',
      '5000',
      '--size',
      '1024',
      '--repetitions',
      '5',
      '--only',
      'sqs,amqp',
    ]);
    expect(options).toMatchObject({ jsonFile: 'out.json', messages: 5000, size: 1024, repetitions: 5 });
    expect(options.only).toEqual(['amqp', 'sqs']);
  });

  test('refuse fewer than 3 repetitions outside smoke mode: every figure is a median', () => {
    expect(() => parseBenchOptions(['--repetitions', '1'])).toThrow(
      /--repetitions: expected an integer >= 3 \(each figure is a median\), received 1/,
    );
  });

  test('smoke mode defaults to one repetition', () => {
    expect(parseBenchOptions(['--smoke', '--messages', '200'])).toMatchObject({
      smoke: true,
      repetitions: 1,
      messages: 200,
    });
  });

  test('refuse a message count that is not an integer, naming the option and the value', () => {
    expect(() => parseBenchOptions(['--messages', '1e'])).toThrow(
      /--messages: expected an integer >= 10, received "1e"/,
    );
  });

  test("refuse a size over the dev stage's size limit, naming both limits it derives from", () => {
    expect(parseBenchOptions(['--size', '1040384']).size).toBe(1_040_384);
    expect(() => parseBenchOptions(['--size', '1040385'])).toThrow(
      /--size: expected an integer between 64 and 1040384, received "1040385" \(the limit is the smaller of the broker's max_message_size \(134217728\) and the SQS limit/,
    );
  });

  test('refuse a missing value', () => {
    expect(() => parseBenchOptions(['--json'])).toThrow(/--json: expected a value, received null/);
    expect(() => parseBenchOptions(['--json', '--messages'])).toThrow(
      /--json: expected a value, received "--messages"/,
    );
  });

  test('refuse an unknown section, listing the allowed ones', () => {
    expect(() => parseBenchOptions(['--only', 'amqp,disk'])).toThrow(
      /--only: unknown section "disk"; allowed: bundle, synth, amqp, sqs, kafka, pipeline, shards, handlers$/,
    );
  });

  test('refuse an unknown argument with the usage', () => {
    expect(() => parseBenchOptions(['--fast'])).toThrow(
      /unknown option --fast; valid options: --json.*\nusage: npm run bench/,
    );
  });

  test('--config takes stage overrides as cdk synth does, and a bad one names the field', () => {
    expect(parseBenchOptions(['--config', '{"eventSources":{"rabbitMq":{"shards":2}}}']).overrides).toEqual({
      eventSources: { rabbitMq: { shards: 2 } },
    });
    expect(() => parseBenchOptions(['--config', '{not json'])).toThrow(/--config/);
  });

  test('an unknown option close to --handler-times names it', () => {
    expect(() => parseBenchOptions(['--handler-time', 'x.json'])).toThrow(/--handler-times/);
  });
});
