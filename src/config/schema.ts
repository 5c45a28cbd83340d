// zod schemas generated from the field table, for the files realmrace reads:
// the config inside reproducers and the model fields of campaign entries.
// Loaded only where files are parsed (never by workers or `--help`). Fields may
// be left out (they take the spec's default); unknown keys are rejected; each
// value gets the same check as its flag (fields.ts checkValue).

import { z } from 'zod';
import { FIELDS, attrOf, checkValue, choicesOf, fieldsOf, type Command, type FieldDef } from './fields.js';
import { mapKeys } from './spec.js';

/** The zod type of one field: its JSON type, then its full check (range, multiple, power of two, choices, keys). */
export function fieldSchema(f: FieldDef, cmd?: Command): z.ZodType {
  const choices = cmd ? choicesOf(cmd, f) : f.choices;
  const base: z.ZodType = f.kind === 'int' || f.kind === 'number' ? z.number()
    : f.kind === 'bool' ? z.boolean()
    : f.kind === 'map' ? z.strictObject(Object.fromEntries(mapKeys(f).map((k) => [k, z.number().optional()])))
    : z.string();
  const full = f.kind === 'map' ? { ...f, keys: mapKeys(f) } : f;
  return base.superRefine((v, ctx) => {
    const bad = checkValue(full, v, choices);
    if (bad) ctx.addIssue({ code: 'custom', message: `must be ${bad.want}, got ${bad.got}` });
  });
}

type Shape = Record<string, z.ZodType>;

/** The nested RunConfig shape: { realm: { ..., host: {...} }, workload, scheduler, maxSteps }, every field optional. */
export function runConfigSchema(): z.ZodType {
  const root: Shape = {};
  const nested = new Map<string, Shape>();
  const shapeAt = (path: string[]): Shape => {
    let s = root;
    for (let i = 0; i < path.length; i++) {
      const key = path.slice(0, i + 1).join('.');
      let child = nested.get(key);
      if (!child) {
        child = {};
        nested.set(key, child);
      }
      s = child;
    }
    return s;
  };
  for (const f of FIELDS) {
    if (!['realm', 'workload', 'scheduler', 'run'].includes(f.section)) continue;
    const ks = f.path.split('.');
    shapeAt(ks.slice(0, -1))[ks[ks.length - 1]] = fieldSchema(f).optional();
  }
  // Build objects from the deepest path up, so each parent holds its finished children.
  for (const key of [...nested.keys()].sort((a, b) => b.split('.').length - a.split('.').length)) {
    const ks = key.split('.');
    shapeAt(ks.slice(0, -1))[ks[ks.length - 1]] = z.strictObject(nested.get(key)!).optional();
  }
  return z.strictObject(root);
}

/** A campaign entry's model fields, by flag name ("linearMap", "maxSteps", "minSchedules"), every one optional. */
export function entryFieldsShape(): Shape {
  return Object.fromEntries(fieldsOf('entry').map((f) => [attrOf(f), fieldSchema(f, 'entry').optional()]));
}

/** The first issue of a failed parse as `path: message (+n more)`. */
export function firstIssue(e: z.ZodError): string {
  const i = e.issues[0];
  const path = i.path.map(String);
  // A field check reads as "config.realm: lmPages must be a multiple of 512, got 600" (a list item: "vcpus.0: must be ...").
  const where = i.message.startsWith('must be ') && typeof i.path[i.path.length - 1] === 'string' ? `${path.slice(0, -1).join('.') || '(top level)'}: ${path[path.length - 1]} ${i.message}` : `${path.length ? path.join('.') : '(top level)'}: ${i.message}`;
  return `${where}${e.issues.length > 1 ? ` (+${e.issues.length - 1} more)` : ''}`;
}
