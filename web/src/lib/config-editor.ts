import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { ZStudyConfig, type TStudyConfig } from '@stepwise/core';
import { unknownKeys } from '@stepwise/service/unknown-keys';

/**
 * The launch page's YAML/JSON editor, checked as the user types against the schema the server
 * uses (ZStudyConfig, plus the same unknown-key check, so `paralel: 8` is flagged with "did you
 * mean parallel?" before anything is sent). Each problem carries the line of the field it names
 * (the nearest enclosing node that exists: a missing key points at its parent mapping).
 */

export interface EditorIssue {
  /** Dotted field path, as the server names it ("budget.trials", "space.0.low"); "" for the whole text. */
  field: string;
  message: string;
  /** 1-based line of the field in the text, or null when it cannot be placed. */
  line: number | null;
}

export type EditorResult = { ok: true; config: Record<string, unknown>; parsed: TStudyConfig; issues: [] } | { ok: false; issues: EditorIssue[] };

export function parseConfigDocument(text: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  return { doc, lines };
}

/** The line of `path` in the document: the deepest node along the path that exists. */
export function lineOf(doc: Document, lines: LineCounter, path: readonly (string | number)[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      // A key's value node starts on the key's line for scalars; for a block collection the key is the line above.
      if (n > 0) {
        const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
        const pair = (parent as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | null)?.items?.find?.(
          (p) => p && p.key && (p.key as { value?: unknown }).value === path[n - 1],
        );
        if (pair?.key?.range) return lines.linePos(pair.key.range[0]).line;
      }
      return lines.linePos(node.range[0]).line;
    }
  }
  return null;
}

/** Field path of a server or zod issue ("objective.nfe") as document path segments. */
export function fieldPath(field: string): Array<string | number> {
  if (field === '') return [];
  return field.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function validateConfigText(text: string): EditorResult {
  if (text.trim() === '') return { ok: false, issues: [{ field: '', message: 'paste or pick a study config (YAML or JSON)', line: null }] };
  const { doc, lines } = parseConfigDocument(text);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({ field: '', message: `not valid YAML/JSON: ${e.message.split('\n')[0]}`, line: e.linePos?.[0]?.line ?? null })),
    };
  }
  const value: unknown = doc.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, issues: [{ field: '', message: 'a study config is a mapping (name, kind, objective, budget, ...)', line: 1 }] };
  }
  const issues: EditorIssue[] = unknownKeys(ZStudyConfig, value).map((k) => ({ field: k.field, message: k.message, line: lineOf(doc, lines, fieldPath(k.field)) }));
  const check = ZStudyConfig.safeParse(value);
  if (!check.success) {
    for (const i of check.error.issues) {
      const path = i.path.map((p) => (typeof p === 'number' ? p : String(p)));
      issues.push({ field: path.join('.'), message: i.message, line: lineOf(doc, lines, path) });
    }
  }
  if (issues.length > 0 || !check.success) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, config: value as Record<string, unknown>, parsed: check.data, issues: [] };
}

/** Server issues (field + message) placed on the lines of the current text. */
export function placeIssues(text: string, issues: ReadonlyArray<{ field: string; message: string }>): EditorIssue[] {
  const { doc, lines } = parseConfigDocument(text);
  return sortIssues(issues.map((i) => ({ field: i.field.replace(/^config\./, ''), message: i.message, line: lineOf(doc, lines, fieldPath(i.field.replace(/^config\.?/, ''))) })));
}

function sortIssues(issues: EditorIssue[]): EditorIssue[] {
  return [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}
