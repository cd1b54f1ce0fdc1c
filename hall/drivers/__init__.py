"""Device drivers. With hall/vision/ (OpenCV), the only code that imports serial, escpos, cv2.

Each device has a small interface, a real implementation and a simulator that
speaks the same bytes on the other end of a link (see ../shared/spec/DEVICES.md).
"""
