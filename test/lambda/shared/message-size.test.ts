import {
  describeSizeLimit,
  messageSizeLimit,
  messageSizeLimitFromEnv,
  sizeLimitEnvironment,
  SQS_BODY_LIMIT_BYTES,
} from '../../../lambda/shared/message-size';

/** The one size limit: derived once, carried by the template's environment, read back by every function. */

describe('messageSizeLimit', () => {
  test('the smaller of the broker limit and the SQS body limit', () => {
    expect(SQS_BODY_LIMIT_BYTES).toBe(1_040_384);
    expect(messageSizeLimit(524_288).maxBodyBytes).toBe(524_288);
    expect(messageSizeLimit(134_217_728).maxBodyBytes).toBe(1_040_384);
    expect(messageSizeLimit().maxBodyBytes).toBe(1_040_384);
  });

  test('names both limits, or SQS alone when the broker is unknown', () => {
    expect(describeSizeLimit(messageSizeLimit(524_288))).toBe(
      "the smaller of the broker's max_message_size (524288) and the SQS limit of 1048576 bytes less 8192 for the attributes the bridge adds (1040384)",
    );
    expect(describeSizeLimit(messageSizeLimit())).toBe(
      'the SQS limit of 1048576 bytes less 8192 for the attributes the bridge adds (1040384)',
    );
  });
});

describe('messageSizeLimitFromEnv', () => {
  test('round-trips the variables the stack sets', () => {
    const limit = messageSizeLimit(524_288);
    expect(messageSizeLimitFromEnv(sizeLimitEnvironment(limit))).toEqual(limit);
  });

  test('without variables: the SQS limit', () => {
    expect(messageSizeLimitFromEnv({})).toEqual({ maxBodyBytes: 1_040_384, brokerMaxMessageSizeBytes: undefined });
  });

  test('a MAX_BODY_BYTES above what the broker takes stops the function, naming the variable and the range', () => {
    expect(() =>
      messageSizeLimitFromEnv({ MAX_BODY_BYTES: '600000', BROKER_MAX_MESSAGE_SIZE_BYTES: '524288' }),
    ).toThrow(/Environment variable MAX_BODY_BYTES is "600000"; expected an integer from 1 to 524288/);
    expect(() => messageSizeLimitFromEnv({ BROKER_MAX_MESSAGE_SIZE_BYTES: 'big' })).toThrow(
      /Environment variable BROKER_MAX_MESSAGE_SIZE_BYTES is "big"; expected an integer from 1 to 536870912/,
    );
  });
});
