import { render } from 'solid-js/web';
import { setupOptions } from './setup';
import '@/assets/pages.css';

render(setupOptions, document.getElementById('app')!);
