import type { Task, TaskCreate, TaskListQuery, TaskUpdate } from '@careloop/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useCursorList } from '../api/cursor-list';
import { patientKeys } from '../patients/api';

export const taskKeys = { all: ['tasks'] as const };

export function useTaskList(filters: Omit<TaskListQuery, 'cursor'>, enabled = true) {
  return useCursorList<Task>(taskKeys.all, '/api/tasks', filters, enabled);
}

function useInvalidateTasks() {
  const client = useQueryClient();
  return (task: Task) => {
    void client.invalidateQueries({ queryKey: taskKeys.all });
    if (task.patientId)
      void client.invalidateQueries({ queryKey: patientKeys.one(task.patientId) });
  };
}

export function useCreateTask() {
  const invalidate = useInvalidateTasks();
  return useMutation({
    mutationFn: (body: TaskCreate) => api.post<Task>('/api/tasks', body),
    onSuccess: invalidate,
  });
}

export function useUpdateTask() {
  const invalidate = useInvalidateTasks();
  return useMutation({
    mutationFn: ({ id, ...body }: TaskUpdate & { id: string }) =>
      api.patch<Task>(`/api/tasks/${encodeURIComponent(id)}`, body),
    onSuccess: invalidate,
  });
}
