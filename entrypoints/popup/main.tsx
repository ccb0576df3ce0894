import { render } from 'solid-js/web';
import { setupPopup } from './setup';
import '@/assets/pages.css';

render(setupPopup, document.getElementById('app')!);
