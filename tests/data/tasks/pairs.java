public int Add(int a, int b) {return a + b;}
public void Clear() {items.clear();}
return x;
