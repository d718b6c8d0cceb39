import { PassThrough } from 'node:stream';
import { main } from '../../cost/cli';
import { parseCostOptions } from '../../cost/options';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('npm run cost options', () => {
  test('defaults: 1,024-byte messages, us-east-1, no overrides, the committed handler times', () => {
    expect(parseCostOptions(['--stage', 'prod', '--rate', '1000'])).toEqual({
      stage: 'prod',
      ratePerSec: 1000,
      sizeBytes: 1024,
      overrides: {},
      region: 'us-east-1',
      jsonFile: undefined,
      plotFile: undefined,
      handlerTimesFile: undefined,
      help: false,
    });
  });

  test('reads every option', () => {
    expect(
      parseCostOptions([
        '--stage',
        'dev',
        '--rate',
        '2.5',
        '--size',
        '4096',
        '--config',
        '{"logRetentionDays":30}',
        '--region',
        'eu-west-1',
        '--json',
        'c.json',
        '--plot',
        'c.svg',
        '--handler-times',
        'h.json',
      ]),
    ).toEqual({
      stage: 'dev',
      ratePerSec: 2.5,
      sizeBytes: 4096,
      overrides: { logRetentionDays: 30 },
      region: 'eu-west-1',
      jsonFile: 'c.json',
      plotFile: 'c.svg',
      handlerTimesFile: 'h.json',
      help: false,
    });
  });

  test.each([
    [['--rate', '1'], /--stage is required; allowed: dev, prod/],
    [['--stage', 'staging', '--rate', '1'], /--stage is "staging"; allowed: dev, prod/],
    [['--stage', 'prod'], /--rate is required: messages per second, a number greater than 0 and at most 1000000/],
    [['--stage', 'prod', '--rate', '0'], /--rate is "0"; expected a number greater than 0 and at most 1000000/],
    [['--stage', 'prod', '--rate', '-5'], /--rate is "-5"; expected a number greater than 0 and at most 1000000/],
    [['--stage', 'prod', '--rate', 'fast'], /--rate is "fast"; expected a number greater than 0 and at most 1000000/],
    [
      ['--stage', 'prod', '--rate', '2000000'],
      /--rate is "2000000"; expected a number greater than 0 and at most 1000000/,
    ],
    [['--stage', 'prod', '--rate', '1', '--size', '0'], /--size is "0"; expected a whole number from 1 to 1040384/],
    [['--stage', 'prod', '--rate', '1', '--size', '1.5'], /--size is "1.5"; expected a whole number from 1 to 1040384/],
    [
      ['--stage', 'prod', '--rate', '1', '--size', '2000000'],
      /--size is "2000000"; expected a whole number from 1 to 1040384/,
    ],
    [
      ['--stage', 'prod', '--rate', '1', '--region', 'mars-1'],
      /--region is "mars-1"; allowed: us-east-1, eu-west-1, us-west-2 \(the regions with a price table in cost\/prices\/\)/,
    ],
    [
      ['--stage', 'prod', '--rate', '1', '--config', '{broker'],
      /--config is "\{broker"; expected a JSON object such as/,
    ],
    [
      ['--stage', 'prod', '--rate', '1', '--config', '[1]'],
      /--config is "\[1\]"; expected a JSON object, not an array/,
    ],
    [['--stage', 'prod', '--rate', '1', '--config', '7'], /--config is "7"; expected a JSON object, not number/],
    [
      ['--stage', 'prod', '--rate', '1', '--plot', 'cost.png'],
      /--plot is "cost.png"; expected a file name ending in .svg/,
    ],
  ])('refuses %j naming the option, the value and what is allowed (exit code 2)', async (argv, message) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Usage: npm run cost');
    expect(stdout).toBe('');
  });

  test('a mistyped option is refused naming the closest one', async () => {
    const { code, stderr } = await run(['--stage', 'prod', '--rte', '1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option --rte; did you mean --rate\?/);
  });

  test('an unknown option is refused with the usage', async () => {
    const { code, stderr } = await run(['--stage', 'prod', '--rate', '1', '--currency', 'EUR']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option --currency; valid options: --stage, --rate, --size, --config, --region/);
    expect(stderr).toContain('Usage: npm run cost');
  });

  test('a handler-times file that cannot be read is named, with how to write one', async () => {
    const { code, stderr } = await run(['--stage', 'prod', '--rate', '1', '--handler-times', '/nonexistent/h.json']);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /cannot read handler times from \/nonexistent\/h.json: .*npm run bench -- --only handlers --handler-times FILE/,
    );
  });

  test('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--plot FILE.svg');
  });
});
