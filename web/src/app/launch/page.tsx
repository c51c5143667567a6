import { LaunchForm } from '../../components/LaunchForm';

export default function LaunchPage() {
  return (
    <>
      <div className="page-head">
        <h1>Launch a study</h1>
      </div>
      <LaunchForm />
    </>
  );
}
