import { ComparePage } from '../../components/ComparePage';

export default async function Page({ searchParams }: { searchParams: Promise<{ ids?: string | string[] }> }) {
  const { ids } = await searchParams;
  const list = (Array.isArray(ids) ? ids.join(',') : (ids ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
  return (
    <>
      <div className="page-head">
        <h1>Compare studies</h1>
      </div>
      <ComparePage initialIds={[...new Set(list)].slice(0, 8)} />
    </>
  );
}
