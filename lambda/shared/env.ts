import { ConfigurationError } from './errors';

/** The process environment, or a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A variable that must be set and non-empty. */
export function requiredEnv(env: Environment, name: string, allowed = 'a non-empty value'): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigurationError(name, value, allowed);
  return value;
}

/** A variable that may be absent; empty counts as absent (CloudFormation cannot omit a conditional value). */
export function optionalEnv(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** An integer variable within `[min, max]`, or `fallback` when absent. */
export function integerEnv(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = optionalEnv(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigurationError(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** A URL variable whose scheme is one of `schemes` (e.g. `amqps:`). */
export function urlEnv(env: Environment, name: string, schemes: readonly string[]): URL {
  const raw = requiredEnv(env, name, `a URL starting with ${schemes.join(' or ')}//`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(name, redactUserInfo(raw), `a URL starting with ${schemes.join(' or ')}//`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new ConfigurationError(name, `${url.protocol}//${url.host}`, `a URL starting with ${schemes.join(' or ')}//`);
  }
  return url;
}

/** Hides `user:password@` in a URL-like string, so a malformed URL can be quoted in an error without leaking it. */
export function redactUserInfo(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}
