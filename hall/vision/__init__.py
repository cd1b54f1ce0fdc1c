"""Computer vision (OpenCV): faces, liveness, documents. With hall/drivers/, the only code that imports cv2."""
