import {
  routes,
  type Task,
  type TaskCreate,
  type TaskListQuery,
  type TaskUpdate,
} from '@careloop/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useRouteList } from '../api/cursor-list';
import { patientKeys } from '../patients/api';

export const taskKeys = { all: ['tasks'] as const };

export function useTaskList(filters: Omit<TaskListQuery, 'cursor'>, enabled = true) {
  return useRouteList(taskKeys.all, routes.tasks.list, { query: filters }, enabled);
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
    mutationFn: (body: TaskCreate) => api.call(routes.tasks.create, { body }),
    onSuccess: invalidate,
  });
}

export function useUpdateTask() {
  const invalidate = useInvalidateTasks();
  return useMutation({
    mutationFn: ({ id, ...body }: TaskUpdate & { id: string }) =>
      api.call(routes.tasks.update, { params: { id }, body }),
    onSuccess: invalidate,
  });
}
