// Tic-tac-toe's web package: the page the app shell mounts, the game session and the game's rules as the page shows them.
export { TicTacToeApp, type TicTacToeAppProps } from './TicTacToeApp';
export { TicTacToePage } from './TicTacToePage';
export * from './game';
export * from './session';
