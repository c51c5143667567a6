import { handleTokenRequest } from '../../../server/auth';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** The dashboard's token prompt stores the token here as an HttpOnly cookie (see server/auth.ts). */
const handler = (req: Request) => handleTokenRequest(req);
export { handler as POST, handler as DELETE };
