// @ts-nocheck -- the seed component below is kept byte-for-byte as published (its `sendMessage`
// is never used, which this project's strict tsconfig would reject). Only the two type
// declarations it refers to and the export at the end are added. Open /chat#/seed/<roomId> while
// logged in to see it run against sio-chat: it connects with the cookie (withCredentials).
type Props = { roomId: string | number; userId: string | number; username: string };
type Message = { id: string | number; roomId: string | number; userId: string | number; username: string; message: string; createdAt: string | number };

// React component: connecting to Socket.io
import { io, Socket } from 'socket.io-client';
import { useEffect, useRef, useState } from 'react';
function ChatRoom({ roomId, userId, username }: Props) {
const socketRef = useRef<Socket | null>(null);
const [messages, setMessages] = useState<Message[]>([]);
const [onlineUsers, setOnlineUsers] = useState(0);
useEffect(() => {
// Create socket connection on mount
socketRef.current = io(import.meta.env.VITE_API_BASE_URL, {
withCredentials: true,
});
const socket = socketRef.current;
socket.on('connect', () => {
console.log('Connected:', socket.id);
socket.emit('joinRoom', { roomId, userId, username });
});
socket.on('receiveMessage', (msg: Message) => {
setMessages((prev) => [...prev, msg]);
});
socket.on('onlineUsers', (count: number) => {
setOnlineUsers(count);
});
socket.on('disconnect', () => {
console.log('Disconnected from server');
});
socket.on('connect_error', (err) => {
console.error('Connection error:', err.message);
});
// Cleanup on unmount
return () => {
socket.disconnect();
};
}, [roomId]);
const sendMessage = (text: string) => {
socketRef.current?.emit('sendMessage', { roomId, message: text });
};
return (
<div>
<p>Online: {onlineUsers}</p>
{messages.map((m) => <div key={m.id}>{m.username}: {m.message}</div>)}
</div>
);
}

export { ChatRoom as SeedChatRoom };
