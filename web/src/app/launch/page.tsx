import { LaunchPage } from '../../components/LaunchPage';
import { readExampleTemplates } from '../../lib/examples';

// The examples are read when the page is served, so an edited example shows without a rebuild.
export const dynamic = 'force-dynamic';

export default function Page() {
  return (
    <>
      <div className="page-head">
        <h1>Launch a study</h1>
      </div>
      <LaunchPage templates={readExampleTemplates()} />
    </>
  );
}
