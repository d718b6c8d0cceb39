/**
 * The templates `npm run check:templates` checks: every stage with every variant below. A variant is a config
 * override (the JSON `-c config='…'` takes). Add a row when the project gains one; a row the config refuses fails the
 * check.
 */
export interface TemplateVariant {
  /** Short name, printed after the stage (`prod+fifo`). */
  readonly name: string;
  /** The override, as `-c config='…'` would pass it. */
  readonly config: Readonly<Record<string, unknown>>;
}

export const VARIANTS: readonly TemplateVariant[] = [
  { name: 'default', config: {} },
  { name: 'fifo', config: { queues: { fifo: true, messageGroupIdField: 'type' } } },
  { name: 'shards', config: { eventSources: { rabbitMq: { shards: 4 } } } },
  { name: 'kafka', config: { kafka: { enabled: true } } },
];

/** `dev`, `prod+fifo`: how a stage and a variant are named in the output. */
export function templateLabel(stage: string, variant: TemplateVariant): string {
  return variant.name === 'default' ? stage : `${stage}+${variant.name}`;
}
