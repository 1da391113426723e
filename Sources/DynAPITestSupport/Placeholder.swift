// placeholder for first dependency build
