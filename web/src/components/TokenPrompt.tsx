'use client';

import { useState, type FormEvent } from 'react';
import { readTokenCookie, writeTokenCookie } from '../lib/token';

export function TokenPrompt({ reason, onSaved }: { reason: string; onSaved: () => void }) {
  const [value, setValue] = useState('');
  const hadToken = typeof document !== 'undefined' && readTokenCookie() !== null;

  function submit(e: FormEvent) {
    e.preventDefault();
    const token = value.trim();
    if (!token) return;
    writeTokenCookie(token);
    setValue('');
    onSaved();
  }

  return (
    <form className="token-prompt" onSubmit={submit} data-testid="token-prompt">
      <div>
        <strong>API token required.</strong>{' '}
        <span className="muted">{hadToken ? `The stored token was refused (${reason}).` : 'This server is protected by STEPWISE_API_TOKEN.'}</span>
      </div>
      <input
        data-testid="token-input"
        name="token"
        type="password"
        autoComplete="off"
        autoFocus
        placeholder="paste the API token"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="primary" data-testid="token-submit">
        Save token
      </button>
    </form>
  );
}
