/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The production build (dist/) is served by the C++ server at "/" on the same origin as the API and
// Socket.IO, index.html for every path the client router owns (/chat, /editor, ...).
// `npm run dev` proxies both to a locally running server (SIO_CHAT_URL, default port 3000).
const target = process.env.SIO_CHAT_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2020',
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/socket.io': { target, ws: true, changeOrigin: false },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
