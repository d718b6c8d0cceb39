import { ConfigValidationError } from '../../lib/config/config-issue';
import { parseConfigOverrides } from '../../lib/config/config-overrides';

const option = { context: 'Invalid option', field: '--config' };

describe('parseConfigOverrides (cdk -c config=… and npm start --config)', () => {
  it('reads nothing as no overrides', () => {
    expect(parseConfigOverrides(undefined, option)).toEqual({});
  });

  it('parses JSON text, and takes an object from cdk.json as it is', () => {
    expect(parseConfigOverrides('{"queues":{"fifo":true}}', option)).toEqual({ queues: { fifo: true } });
    expect(parseConfigOverrides({ queues: { fifo: true } }, { context: 'Invalid context', field: 'config' })).toEqual({
      queues: { fifo: true },
    });
  });

  it.each([
    [
      'text that is not JSON',
      '{queues:1}',
      /Invalid option \(1 problem\):\n {2}- --config: got "\{queues:1\}"; allowed: a JSON object such as '\{"broker":\{"instanceType":"mq\.m7g\.large"\}\}' \(.*JSON/,
    ],
    ['a JSON array', '[1]', /--config: got "\[1\]"; allowed: a JSON object .* \(not an object\)/],
    ['JSON null', 'null', /--config: got "null"; allowed: a JSON object .* \(not an object\)/],
    ['a number from cdk.json', 3, /--config: got 3; allowed: a JSON object .* \(not an object\)/],
  ])('refuses %s, naming the source, the value and what is allowed', (_name, raw, message) => {
    expect(() => parseConfigOverrides(raw, option)).toThrow(ConfigValidationError);
    expect(() => parseConfigOverrides(raw, option)).toThrow(message);
  });
});
