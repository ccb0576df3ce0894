import { render } from 'solid-js/web';
import { setupFrame } from './setup';
import './style.css';

render(setupFrame, document.getElementById('app')!);
