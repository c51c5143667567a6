import { SchedulesPage } from '../../components/SchedulesPage';

export default function Page() {
  return <SchedulesPage />;
}
