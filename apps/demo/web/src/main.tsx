import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ToastProvider } from 'sio-common-web';
import 'sio-common-web/base.css';
import './shell.css';
import { Shell } from './Shell';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ToastProvider>
      <Shell />
    </ToastProvider>
  </StrictMode>,
);
