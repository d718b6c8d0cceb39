/**
 * SQS message attributes the bridge sets and the consumer reads. At most 8 of SQS's 10 per message; AMQP headers
 * travel as one JSON attribute because header names need not be valid attribute names and may be many.
 */
export const ATTRIBUTE = {
  messageId: 'amqp.message-id',
  correlationId: 'amqp.correlation-id',
  contentType: 'amqp.content-type',
  contentEncoding: 'amqp.content-encoding',
  type: 'amqp.type',
  headers: 'amqp.headers',
  /** How the SQS body encodes the AMQP body: absent = the UTF-8 text itself. */
  bodyEncoding: 'bridge.body-encoding',
  /** Why the body is not a valid message (set by the bridge, so the reason travels into the DLQ). */
  invalidReason: 'bridge.invalid-reason',
} as const;

/** Values of `bridge.body-encoding`. */
export const BODY_ENCODING = {
  /** The AMQP body had bytes SQS cannot carry as text (binary, non-UTF-8, forbidden characters). */
  base64: 'base64',
  /** The AMQP body was empty; SQS needs at least one character, so the body is a placeholder. */
  empty: 'empty',
} as const;

/** Placeholder SQS body for an empty AMQP body. */
export const EMPTY_BODY_PLACEHOLDER = '(empty body)';
