import { StudiesPage } from '../components/StudiesPage';

export default function Home() {
  return <StudiesPage />;
}
