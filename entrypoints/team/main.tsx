import { render } from 'solid-js/web';
import { setupTeamPage } from './setup';
import '@/assets/pages.css';

render(setupTeamPage, document.getElementById('app')!);
