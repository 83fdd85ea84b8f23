import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './build/precompress';

// The server serves `dist` and the API on one origin; in development Vite proxies the API.
export default defineConfig({
  plugins: [react(), precompress()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // React, React DOM and the router change only when upgraded: one chunk of their own
        // stays cached (immutable, a year) across deploys of the app's own code. Everything else
        // is split by route (router.tsx), so sign-in loads only what it needs (docs/delivery.md).
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](?:react|react-dom|react-router|scheduler)[\\/]/,
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
