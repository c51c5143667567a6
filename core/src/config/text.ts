import { z } from 'zod';

/**
 * Text and name rules shared by every config schema. Whatever a config carries is stored as
 * Postgres text/jsonb (which refuse NUL and unpaired UTF-16 surrogates), sent to Temporal, and
 * used as object keys in trial parameters, so these are checked where the config enters rather
 * than discovered as a 500 at the first write or read.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` cannot be stored as text, or null when it can. */
export function unsafeTextReason(s: string): string | null {
  if (s.includes('\0')) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (it has an unpaired UTF-16 surrogate)';
  return null;
}

export const isSafeText = (s: string): boolean => unsafeTextReason(s) === null;

/** A string that Postgres and Temporal store as given. */
export function ZText(max: number) {
  return z
    .string()
    .max(max)
    .superRefine((s, ctx) => {
      const reason = unsafeTextReason(s);
      if (reason) ctx.addIssue({ code: 'custom', message: reason });
    });
}

/**
 * Names that collide with what every JavaScript object already has. A parameter called
 * `constructor` reads back as Object's constructor function from any `{}`, and one called
 * `__proto__` is silently dropped when a params object is built, so neither can be a key.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  '__proto__', 'prototype', 'constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable',
  'toString', 'toLocaleString', 'valueOf', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);

export const isReservedKey = (name: string): boolean => RESERVED_KEYS.has(name);

export function reservedKeyMessage(name: string): string {
  return `"${name}" is reserved (every JavaScript object already has it); choose another name`;
}

/** A key of a params-like object: safe text and not a reserved name. */
export function ZKey(max: number) {
  return ZText(max).superRefine((s, ctx) => {
    if (isReservedKey(s)) ctx.addIssue({ code: 'custom', message: reservedKeyMessage(s) });
  });
}

/**
 * Model references: a built-in testbed name or a relative path inside the compute worker's model
 * directory. Only the worker knows its files, so this is the part the API can check: no absolute
 * paths, no `..` or `.` segments, no empty segments, nothing but letters, digits and _ . - and /.
 * The worker resolves the path again (symlinks included) before opening it.
 */
export const MODEL_REF_RE = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

export function modelRefIssue(ref: string): string | null {
  if (!MODEL_REF_RE.test(ref)) {
    return 'a built-in model (e.g. gmm-2d) or a path relative to the model directory STEPWISE_MODEL_DIR (e.g. digits/unet.onnx): letters, digits and _ . - with / between folders, no leading /';
  }
  if (ref.split('/').some((seg) => seg === '.' || seg === '..')) return `"${ref}" must not contain "." or ".." segments: models live inside the model directory (STEPWISE_MODEL_DIR)`;
  return null;
}

export const ZModelRef = z
  .string()
  .min(1, 'name a model (a built-in such as gmm-2d, or a file in STEPWISE_MODEL_DIR)')
  .max(200)
  .superRefine((s, ctx) => {
    const issue = modelRefIssue(s);
    if (issue) ctx.addIssue({ code: 'custom', message: issue });
  });

/** A program name from the compute worker's allowlist file (the worker applies the same rule). */
export const PROGRAM_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const ZProgramName = z
  .string()
  .regex(PROGRAM_NAME_RE, 'a program name from the worker allowlist (STEPWISE_COMMANDS_FILE): lowercase letters, digits, _ and -, at most 64');
