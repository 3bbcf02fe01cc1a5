import { render } from 'preact';
import { App } from './app';
import { bindChatsToSession } from './chat/store';
import { startRouter } from './router';
import { loadMe } from './state';
import './styles.css';

startRouter();
void loadMe();
bindChatsToSession();
render(<App />, document.getElementById('app')!);

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {});
  });
}
