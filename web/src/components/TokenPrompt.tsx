'use client';

import { useState, type FormEvent } from 'react';
import { saveToken } from '../lib/token';

export function TokenPrompt({ reason, onSaved }: { reason: string; onSaved: () => void }) {
  const [value, setValue] = useState('');
  const [refused, setRefused] = useState<string | null>(null);
  // The cookie is HttpOnly, so page code cannot tell whether one is stored; the server's reason can.
  const hadToken = /invalid/i.test(reason);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const token = value.trim();
    if (!token) return;
    const error = await saveToken(token).catch((err: unknown) => String(err));
    if (error !== null) return setRefused(error);
    setRefused(null);
    setValue('');
    onSaved();
  }

  return (
    <form className="token-prompt" onSubmit={(e) => void submit(e)} data-testid="token-prompt">
      <div>
        <strong>API token required.</strong>{' '}
        <span className="muted">{hadToken ? `The stored token was refused (${reason}).` : 'This server is protected by STEPWISE_API_TOKEN.'}</span>
        {refused !== null && <span className="field-error" data-testid="token-error"> {refused}</span>}
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
