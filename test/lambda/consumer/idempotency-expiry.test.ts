import { idempotencyExpirySecondsFromEnv } from '../../../lambda/consumer/idempotency-expiry';
import { ConfigurationError } from '../../../lambda/shared/errors';

describe('idempotencyExpirySecondsFromEnv', () => {
  test('reads IDEMPOTENCY_EXPIRY_SECONDS in whole seconds', () => {
    expect(idempotencyExpirySecondsFromEnv({ IDEMPOTENCY_EXPIRY_SECONDS: '1296000' })).toBe(1_296_000);
    expect(idempotencyExpirySecondsFromEnv({ IDEMPOTENCY_EXPIRY_SECONDS: '60' })).toBe(60);
    expect(idempotencyExpirySecondsFromEnv({ IDEMPOTENCY_EXPIRY_SECONDS: '31536000' })).toBe(31_536_000);
  });

  test('unset or empty: 29 days, which covers every SQS retention', () => {
    expect(idempotencyExpirySecondsFromEnv({})).toBe(29 * 86_400);
    expect(idempotencyExpirySecondsFromEnv({ IDEMPOTENCY_EXPIRY_SECONDS: '' })).toBe(29 * 86_400);
  });

  test.each([['59'], ['31536001'], ['1296000000'], ['1.5'], ['15d'], ['-60']])(
    'refuses %p naming the variable, the value and the range',
    (raw) => {
      const read = () => idempotencyExpirySecondsFromEnv({ IDEMPOTENCY_EXPIRY_SECONDS: raw });
      expect(read).toThrow(ConfigurationError);
      expect(read).toThrow(
        /^Environment variable IDEMPOTENCY_EXPIRY_SECONDS is "[^"]+"; expected an integer from 60 to 31536000$/,
      );
      expect(() => read()).toThrow(expect.objectContaining({ variable: 'IDEMPOTENCY_EXPIRY_SECONDS', received: raw }));
    },
  );
});
