'use client';

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../server/router';
import { TRPCProvider } from '../lib/trpc';
import { errorMessage, isClientError, isUnauthorized } from '../lib/errors';
import { TokenPrompt } from '../components/TokenPrompt';

interface AuthState {
  /** Set when the API answered UNAUTHORIZED; the message says whether a token was missing or wrong. */
  authError: string | null;
  tokenSaved: () => void;
}

const AuthContext = createContext<AuthState>({ authError: null, tokenSaved: () => {} });
export const useAuth = () => useContext(AuthContext);

export function Providers({ children }: { children: ReactNode }) {
  const [authError, setAuthError] = useState<string | null>(null);

  const [queryClient] = useState(() => {
    const onError = (err: unknown) => {
      if (isUnauthorized(err)) setAuthError(errorMessage(err));
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        queries: {
          staleTime: 1000,
          retry: (count, err) => !isClientError(err) && count < 2,
          refetchOnWindowFocus: true,
        },
        mutations: { retry: false },
      },
    });
  });

  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: '/api/trpc',
          transformer: superjson,
          maxURLLength: 4000,
          // The token travels as its HttpOnly cookie (same origin), never through page code.
        }),
      ],
    }),
  );

  const tokenSaved = useCallback(() => {
    setAuthError(null);
    void queryClient.invalidateQueries();
  }, [queryClient]);

  const auth = useMemo(() => ({ authError, tokenSaved }), [authError, tokenSaved]);

  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <AuthContext.Provider value={auth}>
          {authError !== null && <TokenPrompt reason={authError} onSaved={tokenSaved} />}
          {children}
        </AuthContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
