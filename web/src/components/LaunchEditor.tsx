'use client';

import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { errorMessage, fieldIssues, isUnauthorized } from '../lib/errors';
import { placeIssues, validateConfigText, type EditorIssue } from '../lib/config-editor';
import type { ExampleTemplate } from '../lib/examples';

/**
 * A study config as YAML or JSON, for everything the form does not cover (evaluate and s3
 * studies, estimation and the other bayesopt settings, command objectives; conditional
 * parameters as `when: { param, in }`, see examples/sampler-conditional.yaml). Checked on every
 * keystroke against the server's schema; each problem is listed with the line of its field and
 * that line is marked. The server checks again at launch (the model, the limits) and its field
 * errors land on the same lines.
 */
export function LaunchEditor({ templates }: { templates: ExampleTemplate[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [template, setTemplate] = useState(templates[0]?.file ?? '');
  const [text, setText] = useState(templates[0]?.text ?? '');
  const [serverIssues, setServerIssues] = useState<EditorIssue[] | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const result = useMemo(() => validateConfigText(text), [text]);
  const issues = result.ok ? (serverIssues ?? []) : result.issues;
  const badLines = new Set(issues.map((i) => i.line).filter((l): l is number => l !== null));
  const lineCount = text.split('\n').length;

  const launch = useMutation(
    trpc.studies.launch.mutationOptions({
      onSuccess(study) {
        router.push(`/studies/${encodeURIComponent(study.id)}`);
      },
      onError(err) {
        const found = fieldIssues(err);
        if (found.length > 0) setServerIssues(placeIssues(text, found));
        else if (!isUnauthorized(err)) setServerError(errorMessage(err));
      },
    }),
  );

  function edit(next: string) {
    setText(next);
    setServerIssues(null);
    setServerError(null);
  }

  return (
    <div className="panel" data-testid="launch-editor">
      <div className="toolbar">
        <label>
          template
          <select
            data-testid="editor-template"
            value={template}
            onChange={(e) => {
              const t = templates.find((x) => x.file === e.target.value);
              setTemplate(e.target.value);
              if (t) edit(t.text);
            }}
          >
            {templates.map((t) => (
              <option key={t.file} value={t.file}>
                examples/{t.file}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">YAML or JSON, checked as you type against the schema the server uses</span>
      </div>
      <div className="editor" style={{ display: 'flex', border: '1px solid var(--line)', borderRadius: 4, fontFamily: 'var(--mono, monospace)', fontSize: 13, lineHeight: '18px' }}>
        <div aria-hidden style={{ padding: '6px 6px', textAlign: 'right', color: 'var(--muted)', background: '#f6f7f9', userSelect: 'none', minWidth: 34 }}>
          {Array.from({ length: lineCount }, (_, i) => (
            <div key={i} data-testid={badLines.has(i + 1) ? 'editor-bad-line' : undefined} style={badLines.has(i + 1) ? { color: 'var(--bad)', fontWeight: 700 } : undefined}>
              {badLines.has(i + 1) ? '▶' : ''}
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          name="config"
          data-testid="config-editor"
          spellCheck={false}
          value={text}
          rows={Math.max(12, lineCount + 1)}
          onChange={(e) => edit(e.target.value)}
          style={{ flex: 1, border: 0, padding: 6, font: 'inherit', lineHeight: 'inherit', resize: 'vertical', whiteSpace: 'pre', overflowX: 'auto' }}
        />
      </div>
      {issues.length > 0 && (
        <ul className="issues" data-testid="editor-issues" style={{ margin: '8px 0', paddingLeft: 18 }}>
          {issues.map((i, k) => (
            <li key={k} className="field-error" data-testid="editor-issue" data-field={i.field} data-line={i.line ?? ''}>
              {i.line !== null ? `line ${i.line}: ` : ''}
              {i.field ? `${i.field}: ` : ''}
              {i.message}
            </li>
          ))}
        </ul>
      )}
      {serverError && <div className="banner-error">{serverError}</div>}
      <div className="toolbar" style={{ marginTop: 8 }}>
        <button
          type="button"
          data-testid="editor-launch"
          disabled={!result.ok || launch.isPending}
          // The text as typed (not the parsed defaults): the server checks its keys too.
          onClick={() => result.ok && launch.mutate({ config: result.config as never, source: 'dashboard' })}
        >
          {launch.isPending ? 'Launching…' : 'Launch'}
        </button>
        {result.ok && !serverIssues && <span className="muted" data-testid="editor-valid">valid {result.parsed.kind} study</span>}
      </div>
    </div>
  );
}
