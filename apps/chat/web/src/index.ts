export { ChatApp } from './ChatApp';
