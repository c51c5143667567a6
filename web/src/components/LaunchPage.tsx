'use client';

import { useState } from 'react';
import { LaunchForm } from './LaunchForm';
import { LaunchEditor } from './LaunchEditor';
import type { ExampleTemplate } from '../lib/examples';

/** The form for the common cases beside the YAML/JSON editor for everything. */
export function LaunchPage({ templates }: { templates: ExampleTemplate[] }) {
  const [mode, setMode] = useState<'form' | 'editor'>('form');
  return (
    <>
      <div className="toolbar" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'form'} className={mode === 'form' ? 'tab active' : 'tab'} data-testid="launch-mode-form" onClick={() => setMode('form')}>
          Form (function and sampler objectives)
        </button>
        <button type="button" role="tab" aria-selected={mode === 'editor'} className={mode === 'editor' ? 'tab active' : 'tab'} data-testid="launch-mode-editor" onClick={() => setMode('editor')}>
          YAML / JSON editor (every study kind)
        </button>
      </div>
      {mode === 'form' ? <LaunchForm /> : <LaunchEditor templates={templates} />}
    </>
  );
}
