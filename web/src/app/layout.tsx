import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: 'Stepwise',
  description: 'Experiment orchestration: studies, trials, schedules',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            stepwise
          </Link>
          <nav>
            <Link href="/">Studies</Link>
            <Link href="/launch">Launch</Link>
            <Link href="/schedules">Schedules</Link>
            <Link href="/compare">Compare</Link>
          </nav>
        </header>
        <Providers>
          <main className="page">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
