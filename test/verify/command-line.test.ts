import { Writable } from 'node:stream';
import { main as startMain } from '../../local/cli';
import { main as verifyMain } from '../../verify/cli';
import { parseBenchOptions } from '../../bench/options';
import { UsageError } from '../../verify/cli-args';
import { editDistance, parseCommandLine, unknownOptionMessage } from '../../verify/command-line';

const OPTIONS = { messages: { type: 'string' }, poison: { type: 'string' }, verbose: { type: 'boolean' } } as const;

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('parseCommandLine', () => {
  test('a negative number after an option that takes a value is its value', () => {
    expect(parseCommandLine(['--messages', '-5'], OPTIONS).messages).toBe('-5');
    expect(parseCommandLine(['--messages', '-0.5', '--verbose'], OPTIONS)).toEqual({ messages: '-0.5', verbose: true });
  });

  test('an unknown option names the closest valid one', () => {
    expect(() => parseCommandLine(['--mesages', '10'], OPTIONS)).toThrow(
      /unknown option --mesages; did you mean --messages\?/,
    );
    expect(() => parseCommandLine(['--mesages', '10'], OPTIONS)).toThrow(UsageError);
  });

  test('an unknown option with nothing close lists the valid ones', () => {
    expect(unknownOptionMessage('region', ['messages', 'poison'])).toBe(
      'unknown option --region; valid options: --messages, --poison',
    );
  });

  test('edit distance counts insertions, deletions and substitutions', () => {
    expect(editDistance('mesages', 'messages')).toBe(1);
    expect(editDistance('poision', 'poison')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });
});

describe('the commands refuse bad options before doing anything (exit 2, one message)', () => {
  test('npm start -- --messages -5 gets the range message', async () => {
    const out = capture();
    const err = capture();
    const code = await startMain(['--messages', '-5'], {
      stdout: out.stream,
      stderr: err.stream,
      onShutdown: () => {},
    });
    expect(code).toBe(2);
    expect(err.text()).toMatch(/--messages is "-5"; expected a whole number from 1 to 1000000/);
    expect(err.text()).not.toMatch(/ambiguous/);
  });

  test('npm start -- --mesages 10 names --messages', async () => {
    const err = capture();
    const code = await startMain(['--mesages', '10'], {
      stdout: capture().stream,
      stderr: err.stream,
      onShutdown: () => {},
    });
    expect(code).toBe(2);
    expect(err.text()).toMatch(/did you mean --messages\?/);
  });

  test('npm run verify -- --stak X names --stack', async () => {
    const err = capture();
    const code = await verifyMain(['--stak', 'X'], { stdout: capture().stream, stderr: err.stream });
    expect(code).toBe(2);
    expect(err.text()).toMatch(/unknown option --stak; did you mean --stack\?/);
  });

  test('npm run verify -- --poison -1 gets the range message', async () => {
    const err = capture();
    const code = await verifyMain(['--stack', 'S', '--poison', '-1'], { stdout: capture().stream, stderr: err.stream });
    expect(code).toBe(2);
    expect(err.text()).toMatch(/--poison is "-1"; expected a whole number from 0 to/);
  });

  test('npm run bench -- --mesages names --messages', () => {
    expect(() => parseBenchOptions(['--mesages', '100'])).toThrow(
      /unknown option --mesages; did you mean --messages\?/,
    );
  });
});
