import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BrokerConnectionError } from '../shared/errors';

/** A broker user's credentials. */
export interface BrokerCredentials {
  readonly username: string;
  readonly password: string;
}

/** Supplies broker credentials; `invalidate` drops a cached value after the broker refused it (rotation). */
export interface CredentialsProvider {
  get(): Promise<BrokerCredentials>;
  invalidate(): void;
}

/** Fixed credentials (local broker, tests). */
export function staticCredentials(username: string, password: string): CredentialsProvider {
  return { get: async () => ({ username, password }), invalidate: () => undefined };
}

/** Reads `{ username, password }` from a secret string; the error never quotes the secret. */
export function parseCredentialsSecret(secretString: string | undefined, secretId: string): BrokerCredentials {
  let parsed: unknown;
  try {
    parsed = secretString === undefined ? undefined : JSON.parse(secretString);
  } catch {
    parsed = undefined;
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  const missing = ['username', 'password'].filter((key) => typeof record[key] !== 'string' || record[key] === '');
  if (parsed === null || typeof parsed !== 'object' || missing.length > 0) {
    throw new BrokerConnectionError(
      `Secret ${secretId} must be a JSON object with non-empty string fields username and password; ` +
        (typeof parsed === 'object' && parsed !== null ? `missing or empty: ${missing.join(', ')}` : 'it is not JSON'),
    );
  }
  return { username: record.username as string, password: record.password as string };
}

/**
 * Credentials from Secrets Manager, fetched once per container and cached; a failed fetch is not cached, so the
 * next invocation tries again.
 */
export function secretsManagerCredentials(
  client: Pick<SecretsManagerClient, 'send'>,
  secretId: string,
): CredentialsProvider {
  let cached: Promise<BrokerCredentials> | undefined;
  return {
    get() {
      cached ??= client
        .send(new GetSecretValueCommand({ SecretId: secretId }))
        .then((out) => parseCredentialsSecret(out.SecretString, secretId))
        .catch((error: unknown) => {
          cached = undefined;
          throw error;
        });
      return cached;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
